/** The composition root: a {@link io.arborcast.node.Node} wires transport and protocols from a {@link io.arborcast.node.NodeConfig}. */
package io.arborcast.node;
