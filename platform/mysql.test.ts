import { describe, expect, it } from 'vitest';
import { reissueTransaction } from './mysql.js';

const refused = (code: string) => Object.assign(new Error(code), { code });

describe('reissueTransaction', () => {
  const opts = { attempts: 3, codes: new Set(['ER_LOCK_DEADLOCK']) };

  it('runs a transaction refused with a listed code again, until it commits', async () => {
    let runs = 0;
    const result = await reissueTransaction(async () => {
      runs++;
      if (runs < 3) throw refused('ER_LOCK_DEADLOCK');
      return 'committed';
    }, opts);
    expect(result).toBe('committed');
    expect(runs).toBe(3);
  });

  it('gives up after `attempts` runs, and never re-runs other failures', async () => {
    let runs = 0;
    const always = () => {
      runs++;
      return Promise.reject(refused('ER_LOCK_DEADLOCK'));
    };
    await expect(reissueTransaction(always, opts)).rejects.toThrow('ER_LOCK_DEADLOCK');
    expect(runs).toBe(3);

    runs = 0;
    const duplicate = () => {
      runs++;
      return Promise.reject(refused('ER_DUP_ENTRY'));
    };
    await expect(reissueTransaction(duplicate, opts)).rejects.toThrow('ER_DUP_ENTRY');
    expect(runs).toBe(1);
  });
});
