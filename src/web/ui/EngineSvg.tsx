import { useEffect, useRef, useState } from 'react';

/**
 * A plot drawn by StemTrack's engine (src/core/plots), whose SVG escapes every text it holds.
 * It keeps its own size, so its 12 px text stays 12 px on a phone; where it is wider than the
 * screen it scrolls sideways inside its box (focusable, so a keyboard can scroll it too) and a
 * line above it says so.
 */
export function EngineSvg({ svg, testId, label }: { svg: string; testId?: string; label: string }) {
  const box = useRef<HTMLElement>(null);
  const [wide, setWide] = useState(false);
  useEffect(() => {
    const el = box.current;
    // Measured again whenever the plot changes, as well as when the box is resized.
    if (!el || !svg) return;
    const measure = () => setWide(el.scrollWidth > el.clientWidth + 1);
    measure();
    const watcher = new ResizeObserver(measure);
    watcher.observe(el);
    return () => watcher.disconnect();
  }, [svg]);
  return (
    <>
      {wide && (
        <p className="scroll-hint" aria-hidden="true">
          Wider than the screen: swipe or scroll sideways to see all of it →
        </p>
      )}
      <figure
        ref={box}
        className="plot"
        data-testid={testId}
        // A scrolling region must be reachable from the keyboard (WCAG 2.1.1).
        // biome-ignore lint/a11y/noNoninteractiveTabindex: the region scrolls
        tabIndex={0}
        aria-label={label}
        // biome-ignore lint/security/noDangerouslySetInnerHtml: trusted SVG from our own plot code, all text escaped
        dangerouslySetInnerHTML={{ __html: svg }}
      />
    </>
  );
}
