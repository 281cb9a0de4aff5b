"""The explain page in a real headless browser: press "next" through every step and check what is lit.

Needs Chromium and its driver (Debian: apt-get install chromium chromium-driver) and selenium (the dev
extra); skipped cleanly without them. Expected rows, nodes and values are seed 002's f(2, 5) tables.
"""

import shutil
import tempfile
from pathlib import Path

import pytest

import chainrule as cr

BAR = "\u0304"
# forward: every primal row (the notes' order), then backward: the adjoint rows in sweep order (the notes'
# table read bottom-up). (table row, lit node, lit edge or None, value as the notes print it)
STEPS = [("primal-0", "v_-1", None, "2"), ("primal-1", "v_0", None, "5"), ("primal-2", "v_1", None, "0.693"),
         ("primal-3", "v_2", None, "10"), ("primal-4", "v_3", None, "-0.959"), ("primal-5", "v_4", None, "10.693"),
         ("primal-6", "v_5", None, "11.652"), ("primal-7", "v_5", None, "11.652"),
         ("adjoint-0", "v_5", None, "1"), ("adjoint-1", "v_4", "v_4-v_5", "1"), ("adjoint-2", "v_3", "v_3-v_5", "-1"),
         ("adjoint-3", "v_1", "v_1-v_4", "1"), ("adjoint-4", "v_2", "v_2-v_4", "1"),
         ("adjoint-5", "v_0", "v_0-v_3", "-0.284"), ("adjoint-6", "v_-1", "v_-1-v_2", "5"),
         ("adjoint-7", "v_0", "v_0-v_2", "1.716"), ("adjoint-8", "v_-1", "v_-1-v_1", "5.5"),
         ("adjoint-9", "v_-1", None, "5.5"), ("adjoint-10", "v_0", None, "1.716")]


def _driver(tmp):
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if not browser or not driver:
        pytest.skip("no Chromium and chromedriver (apt-get install chromium chromium-driver)")
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", f"--user-data-dir={tmp}", "--window-size=1400,900"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(executable_path=driver), options=options)


def test_page_steps_through_the_traces_in_a_browser(tmp_path):
    from selenium.webdriver.common.by import By

    page = cr.explain("ln(x1) + x1*x2 - sin(x2)", x1=2.0, x2=5.0)
    path = tmp_path / "explain.html"
    page.save(path)
    with tempfile.TemporaryDirectory() as profile:
        browser = _driver(profile)
        try:
            browser.get(path.as_uri())
            assert browser.find_element(By.ID, "cr-counter").text == f"step 0 of {len(STEPS)}"
            assert not browser.find_elements(By.CSS_SELECTOR, ".cr-on")
            for k, (row, node, edge, value) in enumerate(STEPS, start=1):
                browser.find_element(By.ID, "cr-next").click()
                lit_rows = browser.find_elements(By.CSS_SELECTOR, "tr.cr-on")
                assert [r.get_attribute("id") for r in lit_rows] == [row], k
                assert lit_rows[0].find_element(By.CSS_SELECTOR, "td.value").text == value, k
                assert [n.get_attribute("id") for n in browser.find_elements(By.CSS_SELECTOR, "g.cr-on")] == \
                    [f"node-{node}"], k
                lit_edges = [e.get_attribute("id") for e in browser.find_elements(By.CSS_SELECTOR, "path.cr-on")]
                if row.startswith("adjoint"):
                    assert lit_edges == ([f"edge-{edge}"] if edge else []), k
                assert browser.find_element(By.ID, "cr-value").text == f"= {value}"
                assert browser.find_element(By.ID, "cr-counter").text == f"step {k} of {len(STEPS)}"
                if row == "adjoint-7":
                    assert browser.find_element(By.ID, "cr-text").text.startswith(f"v{BAR}_0 = v{BAR}_0 + ")
                    shot = Path(tmp_path / "step.png")
                    browser.save_screenshot(str(shot))
                    assert shot.stat().st_size > 1000
            browser.find_element(By.ID, "cr-prev").click()
            assert browser.find_element(By.CSS_SELECTOR, "tr.cr-on").get_attribute("id") == STEPS[-2][0]
            forward_edges = browser.execute_script(
                "window.chainruleExplain.show(3); return Array.from(document.querySelectorAll('path.cr-on'))"
                ".map(e => e.id)")
            assert sorted(forward_edges) == ["edge-v_-1-v_2", "edge-v_0-v_2"]  # v_2 = v_-1 × v_0 uses both
        finally:
            browser.quit()


def test_page_is_self_contained_and_shows_in_a_notebook(tmp_path):
    page = cr.explain(lambda x, w: cr.maximum(x, w) * x, x=2.0, w=1.0)
    text = page.html
    assert "<script src" not in text and "<link" not in text and "http://" not in text and "https://" not in text
    assert "chainruleExplain" in text and ".cr-on" in text  # the shipped JS and CSS are inlined
    assert page._repr_html_().startswith("<iframe srcdoc=")
    done = __import__("subprocess").run(
        [__import__("sys").executable, "-m", "chainrule", "explain", "x*sin(y)", "--at", "x=2,y=1", "-o",
         str(tmp_path / "p.html")], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "p.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
