package io.arborcast.node;

import io.arborcast.core.NodeId;
import io.arborcast.core.PeerAddress;
import io.arborcast.tree.TreeEvents;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One log line per tree event that matters: joins, moves, losses and repairs at INFO;
 * refusals and children coming and going at DEBUG (seen with {@code --verbose}).
 */
final class TreeLog implements TreeEvents {
    private static final Logger log = LoggerFactory.getLogger("io.arborcast.tree");
    private final String where;
    private boolean attachedOnce;

    TreeLog(NodeId node, NodeId channel) {
        this.where = "node " + node.shortHex() + " channel " + channel.shortHex();
    }

    @Override
    public void attached(PeerAddress parent, int depth, boolean moved) {
        if (moved) {
            log.info("{}: moved up under {} (depth {})", where, parent, depth);
        } else if (!attachedOnce) {
            log.info("{}: attached to {} (depth {})", where, parent, depth);
        } else {
            log.debug("{}: attached to {} (depth {})", where, parent, depth);
        }
        attachedOnce = true;
    }

    @Override
    public void parentLost(PeerAddress parent, String why) {
        log.info("{}: parent {} lost ({}), repairing", where, parent, why);
    }

    @Override
    public void repaired(PeerAddress parent, long millis) {
        log.info("{}: repaired in {} ms, fed by {}", where, millis, parent);
    }

    @Override
    public void asking(PeerAddress candidate, PeerAddress via, long resumeSeq) {
        log.debug("{}: asking {} to be our parent (from seq {}){}", where, candidate, resumeSeq,
                via == null ? "" : ", through " + via + ": it cannot be dialled, it is to connect to us");
    }

    @Override
    public void refused(PeerAddress by, String reason) {
        log.debug("{}: {} refused us: {}", where, by, reason);
    }

    @Override
    public void childAdded(PeerAddress child) {
        log.debug("{}: child {} attached", where, child);
    }

    @Override
    public void childLost(PeerAddress child, String why) {
        log.debug("{}: child {} gone ({})", where, child, why);
    }
}
