/* estimate.h: the serial engine's cycle model (estimate.c). */
#ifndef NNC_SERIAL_ESTIMATE_H
#define NNC_SERIAL_ESTIMATE_H

#include "spec.h"

int64_t serial_estimate(const struct serial *s, const struct sdesc *d, int tr, int tc);
/* Add to d's estimate the prefetch of n's first weight tile. */
void serial_estimate_prefetch(struct sdesc *d, struct sdesc *n);

#endif
