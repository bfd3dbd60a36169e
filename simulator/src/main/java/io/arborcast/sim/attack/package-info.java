/**
 * Hostile nodes: each runs the real protocol on an {@link io.arborcast.sim.attack.InterceptingTransport},
 * which passes everything the node sends through its attack's rewrite: {@link io.arborcast.sim.attack.Forgery}
 * (relays that corrupt or forge the chunks they forward) and {@link io.arborcast.sim.attack.SybilAnswers}
 * (DHT nodes that answer every lookup with each other only). Attacks that send rather than
 * rewrite (the attach flood) are the workload's loops.
 */
package io.arborcast.sim.attack;
