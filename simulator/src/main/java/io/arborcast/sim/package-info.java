/**
 * The discrete-event simulator: runs the shipped protocol code (dht, gossip, tree, stream)
 * for many virtual nodes in virtual time. Never depends on {@code net} or {@code gateway}.
 */
package io.arborcast.sim;
