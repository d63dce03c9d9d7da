import { NotFound } from '../../platform/errors.js';
import { serviceBinding, type ServiceBinding } from '../../platform/grpc/server.js';
import { PaymentsServiceService } from '../../proto/gen/ecom/payments/v1/payments.js';
import type { Charges } from './charge.js';
import type { Refunds } from './refund.js';
import type { PaymentStore } from './store.js';
import { validateCharge, validateGet, validateRefund } from './validate.js';
import { toPaymentMessage } from './view.js';

/** The PaymentsService handlers: validate, then hand over to the domain. */
export function paymentsBinding(d: {
  charges: Charges;
  refunds: Refunds;
  store: PaymentStore;
}): ServiceBinding {
  return serviceBinding(PaymentsServiceService, {
    charge: (req, ctx) => d.charges.charge(validateCharge(req), ctx),
    refund: (req, ctx) => d.refunds.refund(validateRefund(req), ctx),
    getPayment: async (req) => {
      const key = validateGet(req);
      // Read from the primary: callers decide on it (a saga settling an unknown Charge).
      const row =
        key.by === 'paymentId'
          ? await d.store.byId(key.value)
          : key.by === 'orderId'
            ? await d.store.byOrder(key.value)
            : await d.store.byKey(key.value);
      if (!row) throw new NotFound(`no payment with ${key.by} ${key.value}`);
      return { payment: toPaymentMessage(row) };
    },
  });
}
