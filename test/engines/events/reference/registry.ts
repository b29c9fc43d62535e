/**
 * The event mappings as they were before the normalize speed work (issue #3): a frozen copy of
 * nodes/engines/events/sources/*.ts, util.ts and types/attribution.ts, the reference the
 * differential test (normalize-equivalence.test.ts) compares the current mappings with.
 * Do not "fix" or speed up these files: they define the expected behaviour.
 */
import type { EventSource } from '../../../../nodes/engines/events/types';
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
import { woocommerce } from './sources/woocommerce';

export const REFERENCE_SOURCES: Readonly<Record<string, EventSource>> = {
	shopify,
	woocommerce,
	stripe,
	segment,
	sendgrid,
	mailgun,
	postmark,
	ses,
	brevo,
	resend,
	custom,
};
