package org.lvlmworkbench.core.loading;

import ai.djl.Device;
import ai.djl.engine.Engine;

/**
 * The compute device, chosen by a setting so a CUDA build of DJL's PyTorch native can be used
 * where present: system property {@code lvlm.device} or environment variable {@code LVLM_DEVICE},
 * e.g. {@code cpu}, {@code gpu}, {@code gpu:1}. The default is the CPU.
 */
public final class Devices {

    private Devices() {
    }

    public static Device fromSetting() {
        String s = System.getProperty("lvlm.device");
        if (s == null || s.isBlank()) {
            s = System.getenv("LVLM_DEVICE");
        }
        return parse(s);
    }

    public static Device parse(String setting) {
        if (setting == null || setting.isBlank() || setting.equalsIgnoreCase("cpu")) {
            return Device.cpu();
        }
        Device d = Device.fromName(setting.trim().toLowerCase());
        if (d.isGpu() && d.getDeviceId() >= Engine.getEngine("PyTorch").getGpuCount()) {
            throw new IllegalArgumentException("device '" + setting + "' was asked for, but the PyTorch native library "
                    + "sees " + Engine.getEngine("PyTorch").getGpuCount() + " GPU(s)");
        }
        return d;
    }
}
