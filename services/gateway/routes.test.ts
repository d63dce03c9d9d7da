import { describe, expect, it } from 'vitest';
import { GatewayError } from './errors.js';
import { ChargeParams, type Operations } from './operations.js';
import { apiRoutes, matchRoute, parse } from './routes.js';

describe('parse', () => {
  const error = (body: string) => {
    try {
      parse(ChargeParams, body);
    } catch (err) {
      return err as GatewayError;
    }
    throw new Error('parsed');
  };

  it('fills defaults', () => {
    expect(parse(ChargeParams, '{"amount_minor":5,"currency":"EUR","payment_token":"tok_ok"}')).toEqual({
      amount_minor: 5,
      currency: 'EUR',
      payment_token: 'tok_ok',
      capture: true,
      metadata: {},
    });
  });

  it('answers 400 naming the parameter', () => {
    expect(error('{').code).toBe('invalid_json');
    expect(error('{"amount_minor":1.5,"currency":"EUR","payment_token":"tok_ok"}').extra.param).toBe(
      'amount_minor',
    );
    expect(error('{"amount_minor":1,"currency":"EUR","payment_token":"visa"}').extra.param).toBe(
      'payment_token',
    );
    expect(error('{"amount_minor":1,"currency":"EUR","payment_token":"tok_ok","x":1}').extra.param).toBe('x');
    expect(
      error('{"amount_minor":1,"currency":"EUR","payment_token":"tok_ok","metadata":{"a":1}}').extra.param,
    ).toBe('metadata.a');
  });
});

describe('matchRoute', () => {
  const routes = apiRoutes({} as Operations, { decline: () => false });
  it('finds routes and their parameters; 405 and 404 otherwise', () => {
    expect(matchRoute(routes, 'POST', '/v1/charges/ch_1/capture')).toMatchObject({
      route: { name: 'capture_charge' },
      params: ['ch_1'],
    });
    expect(matchRoute(routes, 'GET', '/v1/charges').route.name).toBe('list_charges');
    expect(() => matchRoute(routes, 'DELETE', '/v1/charges')).toThrow(
      expect.objectContaining({ status: 405 }),
    );
    expect(() => matchRoute(routes, 'GET', '/v1/nope')).toThrow(expect.objectContaining({ status: 404 }));
  });
});
