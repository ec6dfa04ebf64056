/** A plot drawn by StemTrack's engine (src/core/plots), whose SVG escapes every text it holds. */
export function EngineSvg({ svg, testId }: { svg: string; testId?: string }) {
  return (
    // biome-ignore lint/security/noDangerouslySetInnerHtml: trusted SVG from our own plot code, all text escaped
    <div className="plot" data-testid={testId} dangerouslySetInnerHTML={{ __html: svg }} />
  );
}
