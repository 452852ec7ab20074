import { h } from '../dom';
import type { Route } from '../router';

export function pipelinePage(root: HTMLElement, _route: Route): void {
  root.append(h('h1', null, 'pipeline'), h('p', null, 'This page is being built.'));
}
