import { Fragment } from 'react';

/** Long names (URLs, repositories) that wrap after `/` and before `@` rather than mid-word. */
export function WrapAt({ text }: { text: string }) {
  const parts = text.split(/(?<=\/)|(?=@)/);
  return (
    <>
      {parts.map((p, i) => (
        <Fragment key={i}>
          {i > 0 && <wbr />}
          {p}
        </Fragment>
      ))}
    </>
  );
}
