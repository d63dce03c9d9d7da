/** One sample of the Prometheus text exposition format. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;

function parseValue(text: string): number {
  // Prometheus parses values with Go's ParseFloat, which takes NaN and Inf in any case, and
  // exporters rely on it: prom-client writes "Nan" for an event-loop lag mean with no samples yet.
  const special = text.toLowerCase();
  if (special === '+inf' || special === 'inf' || special === '+infinity' || special === 'infinity')
    return Infinity;
  if (special === '-inf' || special === '-infinity') return -Infinity;
  if (special === 'nan') return NaN;
  const v = Number(text);
  if (text === '' || Number.isNaN(v)) throw new Error(`bad value "${text}"`);
  return v;
}

/** Parses `{a="x",b="y\"z"}` starting at `i` (at the brace); returns the labels and the index after it. */
function parseLabels(line: string, start: number): [Record<string, string>, number] {
  const labels: Record<string, string> = {};
  let i = start + 1;
  for (;;) {
    while (line[i] === ' ' || line[i] === ',') i++;
    if (line[i] === '}') return [labels, i + 1];
    const m = NAME.exec(line.slice(i));
    if (!m) throw new Error(`bad label name at ${i}`);
    const key = m[0];
    i += key.length;
    if (line[i] !== '=' || line[i + 1] !== '"') throw new Error(`expected =" after ${key}`);
    i += 2;
    let value = '';
    for (;;) {
      const c = line[i];
      if (c === undefined) throw new Error('unterminated label value');
      if (c === '"') break;
      if (c === '\\') {
        const n = line[i + 1];
        value += n === 'n' ? '\n' : (n ?? '');
        i += 2;
        continue;
      }
      value += c;
      i++;
    }
    labels[key] = value;
    i++;
  }
}

/**
 * Parses Prometheus text exposition format (what prom-client serves) into samples; comments and
 * blank lines are skipped, timestamps ignored. Throws, naming the line, on malformed input.
 */
export function parsePromText(text: string): Sample[] {
  const out: Sample[] = [];
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    try {
      const m = NAME.exec(line);
      if (!m) throw new Error('no metric name');
      let i = m[0].length;
      let labels: Record<string, string> = {};
      if (line[i] === '{') [labels, i] = parseLabels(line, i);
      const rest = line.slice(i).trim().split(/\s+/);
      out.push({ name: m[0], labels, value: parseValue(rest[0] ?? '') });
    } catch (err) {
      throw new Error(`line ${n + 1}: ${(err as Error).message}: ${line.slice(0, 120)}`);
    }
  }
  return out;
}
