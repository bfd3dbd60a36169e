/**
 * The relay tree of one channel, sans-IO: attach with resume-from-seq, admission and
 * redirects, loop refusal by ancestor path, chunk verification before forwarding, keepalives
 * per channel, backup parents and repair, re-balancing towards shallow trees, gap pull. It
 * knows nothing of gossip: candidates come in as peer states ({@code io.arborcast.channel}
 * composes the two).
 */
package io.arborcast.tree;
