// SPDX-License-Identifier: GPL-2.0-or-later
/* packet.c - not written yet. */
#include "internal.h"
