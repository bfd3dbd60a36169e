/**
 * The node's face to ordinary players and source clients, on Netty and the node's event loop:
 * {@link io.arborcast.gateway.HttpGateway} serves HTTP on the node's port like an Icecast server
 * (streams with the head first and ICY metadata, playlists, the status page and its JSON,
 * the directory, metrics) and takes sources: Icecast SOURCE/PUT, SHOUTcast v1 on port + 1, and
 * RTMP publishes as OBS and ffmpeg send them ({@link io.arborcast.gateway.RtmpIngest}, sans-IO,
 * turns one into FLV); each connected source feeds its mount's channel through a
 * {@link io.arborcast.gateway.SourceSession}, one source per channel at a time.
 */
package io.arborcast.gateway;
