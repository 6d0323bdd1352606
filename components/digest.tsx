import { shortDigest } from './format';

/** A digest shown short, with the full value on hover and for copy-paste (selectable, title). */
export function Digest({ value, full }: { value: string; full?: boolean }) {
  return (
    <code title={value} className={`rounded bg-slate-100 px-1.5 py-0.5 font-mono text-xs text-slate-800 ${full ? "break-all" : "whitespace-nowrap"}`}>
      {full ? value : shortDigest(value)}
    </code>
  );
}
