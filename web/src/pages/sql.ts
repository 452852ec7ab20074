import { h } from '../dom';
import type { Route } from '../router';

export function sqlPage(root: HTMLElement, _route: Route): void {
  root.append(h('h1', null, 'sql'), h('p', null, 'This page is being built.'));
}
