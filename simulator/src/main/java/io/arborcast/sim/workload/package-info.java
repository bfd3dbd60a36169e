/**
 * What the virtual nodes of a scenario do and what is measured about it: DHT joins and
 * lookups checked against the true closest nodes, gossip membership, a live stream through the
 * relay tree (with its attacks: forgers, attach floods), and the channel directory.
 */
package io.arborcast.sim.workload;
