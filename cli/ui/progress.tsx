import { Box, Text, render } from 'ink';
import { useEffect, useState } from 'react';

/** A component's progress line: starting (spinner) or ready (check mark, with seconds taken). */
interface Item {
  name: string;
  status: 'starting' | 'ready';
  startedAt: number;
  readyAt?: number;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

function ProgressView({
  title,
  subscribe,
}: {
  title: string;
  subscribe: (fn: (items: Item[]) => void) => void;
}) {
  const [items, setItems] = useState<Item[]>([]);
  const [frame, setFrame] = useState(0);
  useEffect(() => subscribe(setItems), [subscribe]);
  useEffect(() => {
    const t = setInterval(() => setFrame((f) => (f + 1) % FRAMES.length), 80);
    return () => clearInterval(t);
  }, []);
  const now = Date.now();
  return (
    <Box flexDirection="column">
      <Text bold>{title}</Text>
      {items.map((i) => (
        <Text key={i.name}>
          {i.status === 'ready' ? <Text color="green">✔</Text> : <Text color="yellow">{FRAMES[frame]}</Text>}{' '}
          {i.name.padEnd(18)}
          <Text dimColor>{(((i.readyAt ?? now) - i.startedAt) / 1000).toFixed(1)}s</Text>
        </Text>
      ))}
    </Box>
  );
}

/** Live progress of components starting. Interactive: an ink view on stderr; otherwise one line per event. */
export interface ProgressDisplay {
  update(component: string, status: 'starting' | 'ready'): void;
  done(): void;
}

export function progressDisplay(
  title: string,
  interactive: boolean,
  err: NodeJS.WriteStream | NodeJS.WritableStream,
): ProgressDisplay {
  const items = new Map<string, Item>();
  if (!interactive) {
    err.write(`${title}\n`);
    return {
      update(component, status) {
        const prev = items.get(component);
        const startedAt = prev?.startedAt ?? Date.now();
        items.set(component, { name: component, status, startedAt });
        if (status === 'ready')
          err.write(`  ready  ${component} (${((Date.now() - startedAt) / 1000).toFixed(1)}s)\n`);
      },
      done() {},
    };
  }
  let push: (items: Item[]) => void = () => undefined;
  const app = render(<ProgressView title={title} subscribe={(fn) => (push = fn)} />, {
    stdout: err as NodeJS.WriteStream,
    patchConsole: false,
    exitOnCtrlC: false,
  });
  return {
    update(component, status) {
      const prev = items.get(component);
      const startedAt = prev?.startedAt ?? Date.now();
      items.set(component, {
        name: component,
        status,
        startedAt,
        readyAt: status === 'ready' ? Date.now() : undefined,
      });
      push([...items.values()]);
    },
    done() {
      app.unmount();
    },
  };
}
