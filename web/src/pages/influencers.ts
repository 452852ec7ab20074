import { h } from '../dom';
import type { Route } from '../router';

export function influencersPage(root: HTMLElement, _route: Route): void {
  root.append(h('h1', null, 'influencers'), h('p', null, 'This page is being built.'));
}
