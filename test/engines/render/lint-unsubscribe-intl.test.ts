/**
 * Lint's unsubscribe check in the main European shop languages (link text or URL), and its alt
 * text check: an image needs an alt attribute, and an empty one (`alt=""`) is right for a
 * decorative image (WCAG technique H67, https://www.w3.org/WAI/WCAG21/Techniques/html/H67), so
 * only a missing alt is reported. MJML writes alt="" on every mj-image
 * (https://documentation.mjml.io/#mj-image: alt defaults to ""), so an MJML template is read for
 * mj-image without alt. Labels written by hand from each language's usual footer wording.
 */
import { compileTemplate, lintTemplate, renderCompiled } from '../../../nodes/engines/render';
import { htmlFindings, inspectHtml } from '../../../nodes/engines/render/checks';

const unsubscribeFindings = (link: string) =>
	htmlFindings(inspectHtml(`<html><body><p>Hello</p><p>${link}</p></body></html>`)).filter((f) => f.check === 'unsubscribe-link');

describe('unsubscribe links in European languages', () => {
	it.each([
		['fr', 'https://boutique.example/newsletter/desinscription?t=1', 'Se désinscrire'],
		['fr', 'https://boutique.example/compte', 'Désinscription'],
		['fr', 'https://boutique.example/compte', 'Se désabonner'],
		['de', 'https://shop.example/newsletter/abbestellen?t=1', 'Newsletter abbestellen'],
		['de', 'https://shop.example/konto', 'Vom Newsletter abmelden'],
		['de', 'https://shop.example/konto', 'Hier austragen'],
		['nl', 'https://winkel.example/nieuwsbrief/uitschrijven?t=1', 'Uitschrijven'],
		['nl', 'https://winkel.example/account', 'Afmelden'],
		['es', 'https://tienda.example/boletin/baja?t=1', 'Cancelar suscripción'],
		['es', 'https://tienda.example/cuenta', 'Darse de baja'],
		['es', 'https://tienda.example/cuenta', 'Date de baja'],
		['es', 'https://tienda.example/cuenta', 'Cancela tu suscripción'],
		['it', 'https://negozio.example/newsletter/cancellazione?t=1', 'Annulla iscrizione'],
		['it', 'https://negozio.example/account', "Annulla l'iscrizione"],
		['it', 'https://negozio.example/account', 'Disiscriviti'],
		['pt', 'https://loja.example/conta', 'Descadastre-se'],
		['pt', 'https://loja.example/conta', 'Cancelar inscrição'],
		['pt', 'https://loja.example/conta', 'Cancelar a subscrição'],
		['sv', 'https://butik.example/konto', 'Avregistrera'],
		['sv', 'https://butik.example/konto', 'Avsluta prenumerationen'],
		['da', 'https://butik.example/konto', 'Afmeld nyhedsbrev'],
		['da', 'https://butik.example/konto', 'Frameld dig'],
		['no', 'https://butikk.example/konto', 'Meld deg av'],
		['no', 'https://butikk.example/konto', 'Avmeld'],
		['pl', 'https://sklep.example/konto', 'Wypisz się'],
		['pl', 'https://sklep.example/konto', 'Zrezygnuj z subskrypcji'],
		['cs', 'https://obchod.example/ucet', 'Odhlásit odběr'],
		['fr URL only', 'https://boutique.example/d%C3%A9sinscription?t=1', 'Cliquez ici'],
		['de URL only', 'https://shop.example/newsletter/abmelden', 'Hier klicken'],
		['es URL only', 'https://tienda.example/darse-de-baja', 'Haz clic aquí'],
		['en', 'https://shop.example/x', 'Unsubscribe'],
		['en', 'https://shop.example/x', 'Opt out'],
		['en URL only', 'https://shop.example/unsubscribe?u=1', 'Click here'],
	])('%s: %s "%s" counts', (_lang, href, label) => {
		expect(unsubscribeFindings(`<a href="${href}">${label}</a>`)).toEqual([]);
	});

	it.each([
		['it: confirm subscription', 'Conferma iscrizione'],
		['es: your subscription', 'Tu suscripción'],
		['es: manage subscription', 'Gestionar suscripción'],
		['de: sign up', 'Anmelden'],
		['it: subscribe', 'Iscriviti'],
		['en: preferences', 'Manage preferences'],
	])('%s ("%s") is no unsubscribe link', (_case, label) => {
		expect(unsubscribeFindings(`<a href="https://shop.example/account">${label}</a>`).map((f) => f.severity)).toEqual(['error']);
	});

	it('a hidden non-English link still does not count', () => {
		expect(unsubscribeFindings('<a href="https://shop.example/abmelden" style="display:none">Abmelden</a>').map((f) => f.severity)).toEqual(['error']);
	});

	it('lint of a rendered French email passes the unsubscribe check', async () => {
		const body = '<html><body><p>Bonjour {{ name }}</p><p><a href="{{ unsub }}">Se désinscrire</a></p></body></html>';
		const r = await lintTemplate({ format: 'html', body, subject: 'Bonjour', preheader: 'Nouveautés' }, { name: 'Zoé', unsub: 'https://boutique.example/desinscription?u=1' });
		expect(r.findings.filter((f) => f.check === 'unsubscribe-link')).toEqual([]);
	});
});

describe('image alt: only a missing alt is reported', () => {
	const alt = (html: string) => inspectHtml(html).imagesWithoutAlt;
	it('HTML: alt="" and a bare alt are decorative images; no alt is reported', () => {
		expect(alt('<img src="https://cdn.example/divider.png" alt="">')).toEqual([]);
		expect(alt('<img src="https://cdn.example/divider.png" alt>')).toEqual([]);
		expect(alt('<img src="https://cdn.example/logo.png" alt="Shop logo">')).toEqual([]);
		expect(alt('<img src="https://cdn.example/hero.png">')).toEqual(['https://cdn.example/hero.png']);
		expect(alt('<img src="https://cdn.example/hero.png" title="x">')).toEqual(['https://cdn.example/hero.png']);
	});

	const mjml = (inner: string, head = '') =>
		`<mjml>${head ? `<mj-head>${head}</mj-head>` : ''}<mj-body><mj-section><mj-column>${inner}<mj-text><a href="https://shop.example/u">Unsubscribe</a></mj-text></mj-column></mj-section></mj-body></mjml>`;
	const lintAlt = async (body: string) => {
		const r = await lintTemplate({ format: 'mjml', body, subject: 's', preheader: 'p' }, {});
		return r.findings.filter((f) => f.check === 'image-alt').map((f) => f.message);
	};
	it('MJML: an mj-image without alt is reported (MJML writes alt="" for it), one with alt="" is not', async () => {
		expect(await lintAlt(mjml('<mj-image src="https://cdn.example/hero.png" />'))).toEqual([expect.stringContaining('https://cdn.example/hero.png')]);
		expect(await lintAlt(mjml('<mj-image src="https://cdn.example/divider.png" alt="" />'))).toEqual([]);
		expect(await lintAlt(mjml('<mj-image src="https://cdn.example/logo.png" alt="Logo" />'))).toEqual([]);
		expect(await lintAlt(mjml('<mj-image src="https://cdn.example/a.png" />', '<mj-attributes><mj-image alt="" /></mj-attributes>'))).toEqual([]);
		expect(await lintAlt(mjml('<mj-image src="https://cdn.example/a.png" mj-class="deco" />', '<mj-attributes><mj-class name="deco" alt="" /></mj-attributes>'))).toEqual([]);
		expect(await lintAlt(mjml('<mj-image src="https://cdn.example/a.png" mj-class="other" />', '<mj-attributes><mj-class name="deco" alt="" /></mj-attributes>'))).toEqual([
			expect.stringContaining('https://cdn.example/a.png'),
		]);
	});

	it('MJML: the render warnings report an mj-image without alt, not one with alt=""', async () => {
		const warn = async (body: string) => renderCompiled(await compileTemplate({ format: 'mjml', body, subject: 's', preheader: 'p' }), {}).warnings.filter((w) => w.startsWith('image-alt'));
		expect(await warn(mjml('<mj-image src="https://cdn.example/hero.png" />'))).toHaveLength(1);
		expect(await warn(mjml('<mj-image src="https://cdn.example/divider.png" alt="" />'))).toEqual([]);
	});

	it('HTML lint: alt="" passes', async () => {
		const r = await lintTemplate({ format: 'html', body: '<p><img src="https://cdn.example/d.png" alt=""></p><a href="https://shop.example/u">Unsubscribe</a>', subject: 's', preheader: 'p' }, {});
		expect(r.findings.filter((f) => f.check === 'image-alt')).toEqual([]);
	});
});
