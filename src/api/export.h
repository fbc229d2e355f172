// Exports of lists and series as CSV and XLSX (being written).
#pragma once
