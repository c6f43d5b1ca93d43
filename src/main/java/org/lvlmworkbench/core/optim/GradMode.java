package org.lvlmworkbench.core.optim;

import ai.djl.pytorch.jni.JniUtils;
import java.util.function.Supplier;

/**
 * Runs parameter updates with autograd's grad mode off. An update writes into leaf tensors in place,
 * which autograd allows only with grad mode off; the engine keeps that mode per thread and turns it
 * off only on the thread that started the engine, so it is set here, whatever thread trains, and
 * restored afterwards.
 */
public final class GradMode {

    private GradMode() {
    }

    /** {@code update}'s value, computed with grad mode off on this thread. */
    public static <T> T off(Supplier<T> update) {
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            return update.get();
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }
}
