package org.lvlmworkbench.core.render;

import java.awt.Dimension;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.awt.image.RenderedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.function.Consumer;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.apache.batik.svggen.ImageHandlerBase64Encoder;
import org.apache.batik.svggen.SVGGeneratorContext;
import org.apache.batik.svggen.SVGGraphics2D;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * Replays a chart's Graphics2D drawing into an SVG document (Batik's SVGGraphics2D on the JDK's own
 * DOM), so the SVG and the PNG of a chart are one drawing. Text stays text (selectable, sharp when
 * projected); raster parts (heatmap cells, an image under a patch overlay) are embedded as PNG data
 * and drawn pixelated, as the raster renderer draws them with nearest-neighbour scaling.
 */
final class Svg {

    private static final String SVG_NS = "http://www.w3.org/2000/svg";

    private Svg() {
    }

    static String draw(int width, int height, Consumer<Graphics2D> drawing) {
        Document doc;
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setNamespaceAware(true);
            doc = factory.newDocumentBuilder().getDOMImplementation().createDocument(SVG_NS, "svg", null);
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException("no XML document builder for SVG: " + e.getMessage(), e);
        }
        SVGGeneratorContext context = SVGGeneratorContext.createDefault(doc);
        context.setEmbeddedFontsOn(false);
        context.setComment(null);
        context.setPrecision(3);
        context.setImageHandler(new PngDataImages());
        SVGGraphics2D g = new SVGGraphics2D(context, false);
        g.setSVGCanvasSize(new Dimension(width, height));
        drawing.accept(g);
        Element root = g.getRoot();
        root.setAttributeNS(null, "viewBox", "0 0 " + width + " " + height);
        // Raster parts scale as the PNG draws them, in blocks: Batik marks each image with its own
        // rendering hint, which browsers smooth, so a rule that wins over it.
        Element style = doc.createElementNS(SVG_NS, "style");
        style.setTextContent("image { image-rendering: pixelated !important; }");
        root.insertBefore(style, root.getFirstChild());
        StringWriter out = new StringWriter();
        try {
            g.stream(root, out, true, false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write SVG: " + e.getMessage(), e);
        } finally {
            g.dispose();
        }
        return withoutDoctype(out.toString());
    }

    /** Batik names the SVG 1.0 DTD on w3.org; no reader needs it, and a validating one would try to fetch it. */
    static String withoutDoctype(String svg) {
        int start = svg.indexOf("<!DOCTYPE");
        if (start < 0) {
            return svg;
        }
        int end = svg.indexOf('>', start);
        return svg.substring(0, start) + svg.substring(end + 1).stripLeading();
    }

    /** Raster parts as PNG data URIs written by the JDK's ImageIO (Batik's own writer needs its codec module). */
    private static final class PngDataImages extends ImageHandlerBase64Encoder {

        @Override
        public void handleHREF(RenderedImage image, Element imageElement, SVGGeneratorContext context) {
            ByteArrayOutputStream png = new ByteArrayOutputStream();
            try {
                if (!ImageIO.write(image, "png", png)) {
                    throw new IOException("no PNG writer for " + image.getClass().getSimpleName());
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot embed an image in SVG: " + e.getMessage(), e);
            }
            imageElement.setAttributeNS("http://www.w3.org/1999/xlink", "xlink:href",
                    "data:image/png;base64," + Base64.getEncoder().encodeToString(png.toByteArray()));
            imageElement.setAttributeNS(null, "style", "image-rendering:pixelated;image-rendering:crisp-edges");
        }

        @Override
        public void handleHREF(java.awt.Image image, Element imageElement, SVGGeneratorContext context) {
            BufferedImage copy = new BufferedImage(image.getWidth(null), image.getHeight(null),
                    BufferedImage.TYPE_INT_ARGB);
            Graphics2D g = copy.createGraphics();
            g.drawImage(image, 0, 0, null);
            g.dispose();
            handleHREF((RenderedImage) copy, imageElement, context);
        }
    }
}
