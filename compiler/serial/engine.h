/* engine.h: an engine's files (engine.c): ENG.v, ENG.json, ENG_hw.h. */
#ifndef NNC_SERIAL_ENGINE_H
#define NNC_SERIAL_ENGINE_H

#include "tb.h"

/* ENG.v (module name, around nn_serial_engine), ENG.json, ENG_hw.h. */
int serial_engine_write(const struct serial *s, const char *vpath, const char *name);

#endif
