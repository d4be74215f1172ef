/**
 * Guards one paginated list against a server whose pages never end (issue 14: a continue token
 * returned forever made 7,500 requests in 2 s and held every page). client-go's pager follows
 * tokens for as long as they come; here a list gives up, with a `ListPagingError`, when a token
 * comes back that it already followed (a loop) or when it would take more than `maxPages` pages.
 * The tokens it remembers and the pages the list holds are bounded by `maxPages`.
 */
import { ListPagingError } from '../core/errors.js';

export class PageGuard {
  private readonly followed = new Set<string>();

  constructor(
    private readonly resourceName: string,
    private readonly maxPages: number,
  ) {}

  /** Checks that the page just received may be followed by `token`; throws when it may not. */
  follow(token: string): string {
    const pages = this.followed.size + 1;
    if (this.followed.has(token))
      throw new ListPagingError(this.resourceName, pages, 'the server repeated a continue token');
    if (pages >= this.maxPages)
      throw new ListPagingError(this.resourceName, pages, `more than maxListPages (${this.maxPages}) pages`);
    this.followed.add(token);
    return token;
  }
}
