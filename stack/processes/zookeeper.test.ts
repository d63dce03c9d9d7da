import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { zooKeeperClasspath, zooKeeperConfig } from './zookeeper.js';

describe('zooKeeperConfig', () => {
  it('binds the client port to loopback, keeps the admin server off and allows fast sessions', () => {
    const cfg = zooKeeperConfig('/d/data', 40002);
    for (const line of [
      'dataDir=/d/data',
      'clientPort=40002',
      'clientPortAddress=127.0.0.1',
      'admin.enableServer=false',
      'minSessionTimeout=1000',
      '4lw.commands.whitelist=srvr,ruok,mntr,stat',
    ]) {
      expect(cfg.split('\n')).toContain(line);
    }
  });
});

describe('zooKeeperClasspath', () => {
  it('uses lib/* of ZOOKEEPER_HOME and notices a missing server jar', () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ecom-zkhome-'));
    try {
      fs.mkdirSync(path.join(home, 'lib'));
      expect(zooKeeperClasspath({ ZOOKEEPER_HOME: home }).missing).toHaveLength(1);
      fs.writeFileSync(path.join(home, 'lib', 'zookeeper-3.8.4.jar'), '');
      expect(zooKeeperClasspath({ ZOOKEEPER_HOME: home })).toEqual({
        classpath: [path.join(home, 'lib', '*')],
        missing: [],
      });
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });

  it('uses Debian jars: zookeeper.jar (its manifest brings the rest) plus an slf4j binding', () => {
    const { classpath } = zooKeeperClasspath({});
    expect(classpath).toEqual(['/usr/share/java/zookeeper.jar', '/usr/share/java/slf4j-simple.jar']);
  });
});
