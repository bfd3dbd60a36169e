package io.arborcast.net;

import io.arborcast.crypto.NodeIdentity;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;

/**
 * A peer written by hand on a plain socket, for tests that must send what a real node never
 * would: it does the link handshake (or a broken one) and then writes raw frames.
 */
public final class RawPeer implements AutoCloseable {
    private final Socket socket;
    private final DataOutputStream out;

    private RawPeer(Socket socket) throws IOException {
        this.socket = socket;
        this.out = new DataOutputStream(socket.getOutputStream());
    }

    /** A TCP connection to {@code port} on 127.0.0.1, nothing sent yet. */
    public static RawPeer connect(int port) throws IOException {
        Socket s = new Socket("127.0.0.1", port);
        s.setSoTimeout(10_000);
        return new RawPeer(s);
    }

    /** Connects and completes the link handshake as {@code identity}. */
    public static RawPeer linked(int port, NodeIdentity identity) throws IOException {
        RawPeer p = connect(port);
        Preamble theirs = p.handshake(Preamble.of(identity, 40_000, null));
        p.write(identity.proveLink(theirs.nonce()));
        p.socket.getInputStream().readNBytes(Preamble.PROOF_LENGTH);
        return p;
    }

    /** Sends {@code ours} and reads the node's preamble. */
    public Preamble handshake(Preamble ours) throws IOException {
        ByteBuf b = ours.encode(ByteBufAllocator.DEFAULT);
        byte[] bytes = new byte[b.readableBytes()];
        b.readBytes(bytes);
        b.release();
        write(bytes);
        byte[] theirs = socket.getInputStream().readNBytes(Preamble.LENGTH);
        return Preamble.read(Unpooled.wrappedBuffer(theirs), 0);
    }

    public RawPeer write(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    /** One length-prefixed frame. */
    public RawPeer frame(byte[] body) throws IOException {
        out.writeInt(body.length);
        return write(body);
    }

    /** A frame header announcing {@code length} bytes, and none of them. */
    public RawPeer frameHeader(int length) throws IOException {
        out.writeInt(length);
        out.flush();
        return this;
    }

    /** Reads and discards until the node closes the connection; false if it is still open after 10 s. */
    public boolean closedByPeer() {
        try {
            InputStream in = socket.getInputStream();
            byte[] buf = new byte[4096];
            while (in.read(buf) >= 0) {
                // whatever the node still sends (its preamble, an error response)
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset by the node
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
