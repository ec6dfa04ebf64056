import { type ReactNode, useEffect, useRef } from 'react';

/**
 * A table that, on a narrow screen, becomes one card per row (styles.css `.reflow`): each cell
 * is shown under its column's heading, copied here from the table's header, so no column is
 * ever off-screen at 360 px.
 */
export function Reflow({ children, label }: { children: ReactNode; label?: string }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const name = () => {
      for (const table of el.querySelectorAll('table')) {
        const headings = [...table.querySelectorAll('thead th')].map((th) =>
          (th.textContent ?? '').trim(),
        );
        for (const row of table.querySelectorAll('tbody tr')) {
          [...row.children].forEach((cell, i) => {
            const heading = headings[i];
            if (heading && cell.getAttribute('data-label') !== heading)
              cell.setAttribute('data-label', heading);
          });
        }
      }
    };
    name();
    const watcher = new MutationObserver(name);
    watcher.observe(el, { childList: true, subtree: true });
    return () => watcher.disconnect();
  }, []);
  return (
    <div ref={box} className="table-wrap reflow" {...(label ? { 'aria-label': label } : {})}>
      {children}
    </div>
  );
}
