import { h } from '../dom';
import type { Route } from '../router';

export function explorerPage(root: HTMLElement, _route: Route): void {
  root.append(h('h1', null, 'explorer'), h('p', null, 'This page is being built.'));
}
