/** A seeded user the load runner acts as. */
export interface Buyer {
  userId: string;
  email: string;
  password: string;
  accessToken: string;
  /** Renews the access token without a password check (absent in caches written before it was kept). */
  refreshToken?: string;
}

/** Who buys and what there is to buy in one run. */
export interface Population {
  buyers: Buyer[];
  /** SKU ids of this run's catalogue, most popular first (index 0 is the hot SKU). */
  skus: string[];
  currency: string;
}
