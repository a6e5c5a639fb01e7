// SPDX-License-Identifier: GPL-2.0-or-later
/* show.c - not written yet. */
#include "internal.h"
