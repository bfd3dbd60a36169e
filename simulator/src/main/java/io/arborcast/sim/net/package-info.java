/**
 * The simulated network: nodes ({@link io.arborcast.sim.net.SimNode}, the environment and
 * transport a protocol instance runs on), their places in a latency space, uplinks with
 * queueing, datagrams, ordered reliable links, NAT reachability and hole punching, crashes,
 * partitions and one-pair faults, and the bytes and messages carried by type.
 */
package io.arborcast.sim.net;
