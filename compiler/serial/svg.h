/* svg.h: the roofline plot of a serial design, OUT_roofline.svg (svg.c). */
#ifndef NNC_SERIAL_SVG_H
#define NNC_SERIAL_SVG_H

#include "lower.h"

int serial_write_svg(const struct serial *s, const struct network *net, const struct compile_opts *o);

#endif
