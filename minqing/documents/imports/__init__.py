"""Import of the lists offices keep in Excel: one module per list, one shared engine."""

from .cadres import CadreImporter
from .households import HouseholdImporter
from .pairings import PairingImporter
from .points import PointImporter
from .regions import RegionImporter

IMPORTERS = {
    importer.kind: importer
    for importer in (HouseholdImporter, CadreImporter, PairingImporter, PointImporter, RegionImporter)
}
KINDS = tuple(IMPORTERS)
