/**
 * Kademlia, sans-IO: k-buckets, iterative lookups, signed channel records and expiring
 * provider announcements, and the channel directory: signed listings kept on the k nodes
 * closest to well-known keys (16 shards of every channel, one key per genre), verified, newest
 * sequence first, at most 512 channels a key (a full key keeps the largest audiences), 8 a key
 * from one host, 12 updates of a channel a minute; askers page from 3 of the k replicas at
 * random, searching names by word prefix. Runs unchanged over Netty and in the simulator.
 */
package io.arborcast.dht;
