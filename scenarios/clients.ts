import { InventoryServiceService } from '../proto/gen/ecom/inventory/v1/inventory.js';
import { OrdersServiceService } from '../proto/gen/ecom/orders/v1/orders.js';
import { UsersServiceService } from '../proto/gen/ecom/users/v1/users.js';
import { createClient } from '../platform/grpc/client.js';
import type { Clients } from './planner.js';

/** Clients over every instance of orders, inventory and users (round-robin), one channel each. */
export function createClients(
  addresses: { orders: string[]; inventory: string[]; users: string[] },
  deadlineMs: number,
): Clients & { close(): void } {
  // Enough concurrent streams per channel for thousands of in-flight calls.
  const channelOptions = { 'grpc.max_concurrent_streams': 10_000 };
  const orders = createClient(OrdersServiceService, {
    name: 'orders',
    addresses: addresses.orders,
    defaultDeadlineMs: deadlineMs,
    channelOptions,
  });
  const inventory = createClient(InventoryServiceService, {
    name: 'inventory',
    addresses: addresses.inventory,
    defaultDeadlineMs: deadlineMs,
    channelOptions,
  });
  const users = createClient(UsersServiceService, {
    name: 'users',
    addresses: addresses.users,
    defaultDeadlineMs: deadlineMs,
    channelOptions,
  });
  return {
    orders,
    inventory,
    users,
    close() {
      orders.close();
      inventory.close();
      users.close();
    },
  };
}
