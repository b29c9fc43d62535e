/**
 * SigV4 against AWS's published vectors:
 *  - the Signature Version 4 test suite (aws-sig-v4-test-suite, "get-vanilla", "post-vanilla",
 *    "get-vanilla-query-order-key-case"; https://docs.aws.amazon.com/general/latest/gr/signature-v4-test-suite.html):
 *    credentials AKIDEXAMPLE / wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY, us-east-1, service "service",
 *    20150830T123600Z.
 *  - the worked example of the AWS General Reference ("Create a signed AWS API request",
 *    IAM ListUsers: GET https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08,
 *    https://docs.aws.amazon.com/general/latest/gr/sigv4-create-canonical-request.html), whose
 *    hashed canonical request f536975d… and signature 5d672d79… AWS prints.
 */
import { createHash } from 'node:crypto';
import { signV4, uriEncode } from '../../../nodes/engines/dispatch/sigv4';

const suite = {
	region: 'us-east-1',
	service: 'service',
	accessKeyId: 'AKIDEXAMPLE',
	secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
	date: new Date('2015-08-30T12:36:00Z'),
};

describe('SigV4', () => {
	it('get-vanilla', () => {
		const signed = signV4({ ...suite, method: 'GET', url: 'https://example.amazonaws.com/' });
		expect(signed.canonicalRequest).toBe(
			'GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
		);
		expect(signed.headers.authorization).toBe(
			'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
		);
		expect(signed.headers['x-amz-date']).toBe('20150830T123600Z');
	});

	it('post-vanilla', () => {
		const signed = signV4({ ...suite, method: 'POST', url: 'https://example.amazonaws.com/' });
		expect(signed.signature).toBe('5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b');
	});

	it('get-vanilla-query-order-key-case (query parameters sorted by code point)', () => {
		const signed = signV4({ ...suite, method: 'GET', url: 'https://example.amazonaws.com/?Param2=value2&Param1=value1' });
		expect(signed.canonicalRequest.split('\n')[2]).toBe('Param1=value1&Param2=value2');
		expect(signed.signature).toBe('b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500');
	});

	it('the AWS General Reference IAM ListUsers example', () => {
		const signed = signV4({
			...suite,
			service: 'iam',
			method: 'GET',
			url: 'https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08',
			headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' },
		});
		expect(createHash('sha256').update(signed.canonicalRequest).digest('hex')).toBe(
			'f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59',
		);
		expect(signed.headers.authorization).toBe(
			'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7',
		);
	});

	it('hashes the body into the canonical request and signs a session token', () => {
		const body = 'Param1=value1';
		const signed = signV4({ ...suite, method: 'POST', url: 'https://example.amazonaws.com/', body, sessionToken: 'TOKEN' });
		// sha256("Param1=value1"), as printed by the suite's post-x-www-form-urlencoded canonical request.
		expect(signed.canonicalRequest.endsWith('9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e')).toBe(true);
		expect(signed.headers['x-amz-security-token']).toBe('TOKEN');
		expect(signed.headers.authorization).toContain('SignedHeaders=host;x-amz-date;x-amz-security-token');
		const other = signV4({ ...suite, method: 'POST', url: 'https://example.amazonaws.com/', body: 'Param1=value2', sessionToken: 'TOKEN' });
		expect(other.signature).not.toBe(signed.signature);
	});

	it('encodes as RFC 3986 unreserved-only', () => {
		expect(uriEncode('a b/ü~')).toBe('a%20b%2F%C3%BC~');
		expect(uriEncode('/v2/email', true)).toBe('/v2/email');
	});
});
