import { h } from '../dom';
import type { Route } from '../router';

export function customerPage(root: HTMLElement, _route: Route): void {
  root.append(h('h1', null, 'customer'), h('p', null, 'This page is being built.'));
}
