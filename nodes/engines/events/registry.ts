import type { EventSource } from './types';
import { own } from './util';
import { brevo } from './sources/brevo';
import { custom } from './sources/custom';
import { mailgun } from './sources/mailgun';
import { postmark } from './sources/postmark';
import { resend } from './sources/resend';
import { segment } from './sources/segment';
import { sendgrid } from './sources/sendgrid';
import { ses } from './sources/ses';
import { shopify } from './sources/shopify';
import { stripe } from './sources/stripe';
import { unsubscribe } from './sources/unsubscribe';
import { woocommerce } from './sources/woocommerce';

/** Every event source, by id. Adding a source: one file in sources/ and one line here. */
export const SOURCES: Readonly<Record<string, EventSource>> = {
	[shopify.id]: shopify,
	[woocommerce.id]: woocommerce,
	[stripe.id]: stripe,
	[segment.id]: segment,
	[sendgrid.id]: sendgrid,
	[mailgun.id]: mailgun,
	[postmark.id]: postmark,
	[ses.id]: ses,
	[brevo.id]: brevo,
	[resend.id]: resend,
	[custom.id]: custom,
};

/**
 * Sources only the Personalization Trigger takes: their requests are not a signed body that
 * processDelivery (and Normalize Event) could verify. The unsubscribe link signs its query
 * (engines/events/unsubscribe.ts, processUnsubscribe).
 */
export const TRIGGER_ONLY_SOURCES: Readonly<Record<string, EventSource>> = {
	[unsubscribe.id]: unsubscribe,
};

export function getSource(id: string): EventSource | undefined {
	return own(SOURCES, id);
}
