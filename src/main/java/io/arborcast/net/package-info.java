/**
 * The real network: a Netty transport with UDP datagrams for DHT RPCs and TCP peer links, on
 * one port and one event-loop thread that also runs the protocol.
 */
package io.arborcast.net;
