/**
 * The discrete-event simulator: runs the shipped protocol code (dht, gossip, tree, stream)
 * for many virtual nodes in virtual time. Never depends on {@code net} or {@code gateway}.
 *
 * <p>Its layers, each depending only on those before it:
 * <ul>
 *   <li>{@link io.arborcast.sim.engine}: virtual time and the event queues (one, or one per
 *       partition run a millisecond at a time on a few threads); it runs runnables and knows
 *       nothing of networks or bytes;</li>
 *   <li>{@link io.arborcast.sim.net}: the network the nodes live on (latency, uplinks, links,
 *       NATs, faults, traffic accounting) and the node each protocol instance runs on;</li>
 *   <li>{@link io.arborcast.sim.report}: statistics, summary.json, the time series and plots;</li>
 *   <li>{@link io.arborcast.sim.attack}: hostile nodes, the real protocol on one intercepting
 *       transport that rewrites what they send (forged chunks, sybil answers);</li>
 *   <li>{@link io.arborcast.sim.workload} and {@link io.arborcast.sim.scenario}: what the nodes
 *       do and measure (DHT, gossip, stream, directory), and the scenario files, session and
 *       churn models and the runner that drives a run second by virtual second.</li>
 * </ul>
 */
package io.arborcast.sim;
