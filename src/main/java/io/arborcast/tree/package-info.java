/**
 * The relay tree, sans-IO: attach with resume-from-seq, admission and redirects, loop
 * refusal by ancestor path, chunk verification before forwarding, backup parents and
 * repair. Rebalancing and gap pull are still to come (issue 6).
 */
package io.arborcast.tree;
