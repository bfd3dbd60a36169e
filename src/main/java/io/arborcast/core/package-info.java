/**
 * The vocabulary every other package shares: node ids and the XOR metric, peer addresses, the
 * sealed message hierarchy, and the two interfaces through which sans-IO protocol code sees
 * the world ({@link io.arborcast.core.Environment}, {@link io.arborcast.core.Transport}).
 */
package io.arborcast.core;
