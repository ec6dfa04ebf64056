/**
 * The few DOM helpers the patient's pages need instead of React, whose 69 KB (gzipped) alone
 * would exceed the survey's 50 KB budget: `h` builds elements, `patch` brings a live element in
 * line with a freshly built one while keeping the nodes that stay, so focus, the radio a
 * keyboard is on and an aria-live region survive an update as they do under React.
 */

type Handler = (event: Event) => void;
type Child = Node | string | number | false | null | undefined | Child[];
export type Props = Record<string, string | number | boolean | Handler | null | undefined>;

const HANDLERS = Symbol('handlers');
type WithHandlers = Element & { [HANDLERS]?: Record<string, Handler> };

/** Properties that live state (not only markup) reads, set as properties as well. */
const LIVE = ['checked', 'value'] as const;

function dispatch(this: WithHandlers, event: Event) {
  this[HANDLERS]?.[event.type]?.(event);
}

function setHandlers(el: WithHandlers, handlers: Record<string, Handler>) {
  const had = el[HANDLERS] ?? {};
  for (const type of Object.keys(had)) if (!handlers[type]) el.removeEventListener(type, dispatch);
  for (const type of Object.keys(handlers)) if (!had[type]) el.addEventListener(type, dispatch);
  el[HANDLERS] = handlers;
}

function build(el: Element, props: Props | null, children: Child[]): Element {
  const handlers: Record<string, Handler> = {};
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function') handlers[key.slice(2).toLowerCase()] = value;
    // A radio's `checked` is live state, set as a property only (the attribute is its default).
    else if (key === 'checked') (el as HTMLInputElement).checked = true;
    else {
      el.setAttribute(key, value === true ? '' : String(value));
      if (key === 'value') (el as HTMLInputElement).value = String(value);
    }
  }
  setHandlers(el, handlers);
  const append = (c: Child) => {
    if (Array.isArray(c)) c.forEach(append);
    else if (c instanceof Node) el.appendChild(c);
    else if (c !== false && c !== null && c !== undefined && c !== '')
      el.appendChild(document.createTextNode(String(c)));
  };
  children.forEach(append);
  return el;
}

/** An HTML element: attributes by their HTML names (`class`, `for`), `onclick`-style handlers. */
export function h(tag: string, props: Props | null = null, ...children: Child[]): HTMLElement {
  return build(document.createElement(tag), props, children) as HTMLElement;
}

/** An SVG element. */
export function s(tag: string, props: Props | null = null, ...children: Child[]): SVGElement {
  return build(
    document.createElementNS('http://www.w3.org/2000/svg', tag),
    props,
    children,
  ) as SVGElement;
}

function sameKind(a: Node, b: Node): boolean {
  return (
    a.nodeType === b.nodeType &&
    a.nodeName === b.nodeName &&
    (!(a instanceof HTMLInputElement) || a.type === (b as HTMLInputElement).type)
  );
}

/** Makes `live` look and behave like `next`, reusing every node whose place and kind stay. */
export function patch(live: Element, next: Element): void {
  for (const { name } of [...live.attributes])
    if (!next.hasAttribute(name)) live.removeAttribute(name);
  for (const { name, value } of [...next.attributes])
    if (live.getAttribute(name) !== value) live.setAttribute(name, value);
  if (live instanceof HTMLInputElement && next instanceof HTMLInputElement) {
    for (const key of LIVE) if (live[key] !== next[key]) (live[key] as unknown) = next[key];
  }
  setHandlers(live, (next as WithHandlers)[HANDLERS] ?? {});
  const wanted = [...next.childNodes];
  wanted.forEach((child, i) => {
    const current = live.childNodes[i];
    if (!current) live.appendChild(child);
    else if (!sameKind(current, child)) live.replaceChild(child, current);
    else if (current instanceof Element) patch(current, child as Element);
    else if (current.nodeValue !== child.nodeValue) current.nodeValue = child.nodeValue;
  });
  while (live.childNodes.length > wanted.length) live.lastChild?.remove();
}
