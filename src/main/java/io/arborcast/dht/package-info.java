/**
 * Kademlia, sans-IO: k-buckets, iterative lookups, signed channel records and expiring
 * provider announcements. Runs unchanged over Netty and in the simulator.
 */
package io.arborcast.dht;
