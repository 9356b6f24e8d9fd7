"""The ontology files parse in the OWL API (Protégé's parser) and are in the OWL 2 DL profile.

HermiT's jar, shipped with owlready2, bundles the OWL API; a tiny Java program
loads each Turtle file and runs ``OWL2DLProfile`` on it.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from conflictkg.ontology.owl import ontology_paths

PROGRAM = """
import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.model.*;
import org.semanticweb.owlapi.profiles.*;
import java.io.File;
public class DLProfile {
  public static void main(String[] args) throws Exception {
    OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
    for (String path : args) {
      OWLOntology onto = manager.loadOntologyFromOntologyDocument(new File(path));
      OWLProfileReport report = new OWL2DLProfile().checkOntology(onto);
      System.out.println(path + "\\t" + onto.getAxiomCount() + "\\t" + report.getViolations().size());
      for (OWLProfileViolation v : report.getViolations()) System.out.println("  " + v);
    }
  }
}
"""


def _hermit_jar() -> Path:
    import owlready2

    return Path(owlready2.__file__).parent / "hermit" / "HermiT.jar"


@pytest.mark.skipif(shutil.which("javac") is None, reason="needs a JDK (javac) to compile the OWL API check")
def test_each_ontology_file_loads_in_the_owl_api_and_is_owl2_dl(tmp_path: Path) -> None:
    (tmp_path / "DLProfile.java").write_text(PROGRAM, encoding="utf-8")
    jar = str(_hermit_jar())
    subprocess.run(["javac", "-cp", jar, "DLProfile.java"], cwd=tmp_path, check=True, capture_output=True, timeout=120)
    paths = [str(p) for p in ontology_paths()]
    out = subprocess.run(
        ["java", "-cp", f"{jar}:{tmp_path}", "DLProfile", *paths], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    rows = [line.split("\t") for line in out.stdout.splitlines() if "\t" in line]
    assert [r[0] for r in rows] == paths
    assert all(int(axioms) > 10 for _p, axioms, _v in rows)
    assert out.stdout.count("\n") == len(paths), out.stdout  # no violation lines
    assert [int(v) for _p, _a, v in rows] == [0] * len(paths)
