// SPDX-License-Identifier: GPL-2.0-or-later
/* trace.c - not written yet. */
#include "internal.h"
