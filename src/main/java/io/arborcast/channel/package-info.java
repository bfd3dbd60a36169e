/**
 * One channel on one node, composed: {@code ChannelPeer} wires the channel's gossip overlay,
 * its relay tree and the provider directory (the DHT, or the simulator's model of it) and
 * routes the channel's messages between them. Sans-IO, like the protocols it composes; it is
 * here, not in {@code tree}, so that the tree does not depend on gossip.
 */
package io.arborcast.channel;
