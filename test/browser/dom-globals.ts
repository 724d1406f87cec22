/**
 * Minimal `window` and `document` stand-ins (EventTargets that count their listeners), installed with
 * vitest's stubGlobal, for unit tests of the signals in the node environment.
 */
import { vi } from "vitest";

export class CountingTarget extends EventTarget {
  readonly active = new Map<string, number>();
  override addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: AddEventListenerOptions | boolean,
  ): void {
    this.active.set(type, (this.active.get(type) ?? 0) + 1);
    super.addEventListener(type, listener, options);
  }
  override removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: EventListenerOptions | boolean,
  ): void {
    this.active.set(type, (this.active.get(type) ?? 1) - 1);
    super.removeEventListener(type, listener, options);
  }
  /** Listeners currently added, all types. */
  get count(): number {
    let total = 0;
    for (const n of this.active.values()) total += n;
    return total;
  }
}

export class FakeDocument extends CountingTarget {
  visibilityState: DocumentVisibilityState = "visible";
  /** Change visibility and dispatch `visibilitychange`. */
  setVisibility(state: DocumentVisibilityState): void {
    this.visibilityState = state;
    this.dispatchEvent(new Event("visibilitychange"));
  }
}

/** Install a fake `window` and `document`; vitest's `unstubAllGlobals` (or the returned function) removes them. */
export function stubDom(): { win: CountingTarget; doc: FakeDocument; restore: () => void } {
  const win = new CountingTarget();
  const doc = new FakeDocument();
  vi.stubGlobal("window", win);
  vi.stubGlobal("document", doc);
  return { win, doc, restore: () => vi.unstubAllGlobals() };
}

/** A `pageshow` event (PageTransitionEvent is not in Node). */
export function pageShow(persisted: boolean): Event {
  return Object.assign(new Event("pageshow"), { persisted });
}
