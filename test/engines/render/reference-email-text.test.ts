/**
 * The reference email's text part, cart block: each cart line showed the product name twice
 * ("Linen shirt Linen shirt"), because the thumbnail's alt repeated the name written in the next
 * cell. That was the fixture, not the converter (which writes an image by its alt, as it should):
 * an image whose text alternative is already the adjacent text is decorative and takes alt=""
 * (W3C WAI Images tutorial, "Decorative images: image with adjacent text alternative"; WCAG
 * technique H67), so screen readers do not read the name twice either. The recommendations keep
 * their alt: there the image is a link of its own and needs a name (WCAG F89).
 * Expected lines written by hand from the sample recipient's cart.
 */
import * as fs from 'fs';
import * as path from 'path';
import { compileTemplate, lintTemplate, renderCompiled } from '../../../nodes/engines/render';

const examples = path.join(__dirname, '../../../nodes/RenderEmail/examples');
const input = {
	format: 'mjml' as const,
	body: fs.readFileSync(path.join(examples, 'reference-email.mjml'), 'utf8'),
	blocks: JSON.parse(fs.readFileSync(path.join(examples, 'reference-blocks.json'), 'utf8')),
	subject: 'Hi {{ profile.first_name }}',
	preheader: 'New picks',
};
const sample = JSON.parse(fs.readFileSync(path.join(examples, 'sample-recipient.json'), 'utf8'));

describe('reference email: the cart lines of the text part', () => {
	it('name each product once, then quantity and price', async () => {
		const r = renderCompiled(await compileTemplate(input), sample);
		expect(r.text).toContain('You left 2 items in your cart. We have kept them for you.\n\nLinen shirt\nQty 1 $54.99\nCanvas belt\nQty 2 $48.98\nTotal $103.98');
		expect(r.text).not.toMatch(/Linen shirt Linen shirt|Canvas belt Canvas belt/);
	});

	it('the thumbnails (alt="", decorative) raise no image-alt finding', async () => {
		const report = await lintTemplate(input, sample);
		expect(report.findings.filter((f) => f.check === 'image-alt')).toEqual([]);
	});
});
