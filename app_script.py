"""Recurrent models, opened up: a multipage Streamlit app over seqcore.

The script every session runs (`streamlit run app.py` serves it: see app.py). It draws the sidebar every page shares (the model in use
and its one-line card) and routes to the pages with `st.navigation`; a link's parameters are read
before the sidebar and the view's state is written back to the URL after the page (`ui.links`).

Everything runs inside `main()`, only when Streamlit runs this file as `__main__`: Streamlit makes the script the
`__main__` module, and multiprocessing re-runs the parent's `__main__` file (as `__mp_main__`) in every child it
starts (training, the memory experiment). A child that ran the app would print Streamlit's "missing
ScriptRunContext" and "No runtime found" warnings by the dozen into the terminal that started the app.
"""

from __future__ import annotations

# (file, title, emoji icon, url path): emoji only, material icons would fetch a web font.
PAGES = [
    ("app_pages/1_trajectory.py", "Sentiment trajectory", "📈", "trajectory"),
    ("app_pages/2_aspects.py", "Aspects", "🍽️", "aspects"),
    ("app_pages/3_gates.py", "Gates", "🚦", "gates"),
    ("app_pages/4_evaluation.py", "Evaluation", "🎯", "evaluation"),
    ("app_pages/5_train.py", "Train", "🏋️", "train"),
    ("app_pages/6_inside.py", "Inside the cell", "🔬", "inside"),
    ("app_pages/7_tagging.py", "Tagging", "🏷️", "tagging"),
    ("app_pages/8_gradients.py", "Gradients through time", "📉", "gradients"),
    ("app_pages/9_pitfalls.py", "Pitfalls", "🕳️", "pitfalls"),
    ("app_pages/10_search.py", "Hidden-state search", "🔎", "search"),
    ("app_pages/11_cell_lab.py", "Cell lab", "🧪", "cell-lab"),
    ("app_pages/12_projector.py", "Embedding projector", "🗺️", "projector"),
]


def main() -> None:
    """One script run: the page's settings, the menu, the sidebar, the page, then the link."""
    import streamlit as st

    import ui
    from ui.warmup import first_run_over

    st.set_page_config(page_title="seqcore: recurrent models, opened up", page_icon="🔁", layout="wide")
    # Every page has its own path, the first one too: `/trajectory` opens it as `/` does (a link names its page, and
    # Streamlit serves its default page only at `/`). So the first page in the menu is an ordinary page at
    # `/trajectory`, and `/` is a hidden default page that switches to it, the link's settings kept: one page, so
    # its widgets keep their values whichever way it was reached.
    pages = [st.Page(path, title=title, icon=icon, url_path=url) for path, title, icon, url in PAGES]

    def open_first_page() -> None:
        st.switch_page(pages[0], query_params=st.query_params.to_dict())

    home = st.Page(open_first_page, title=PAGES[0][1], url_path="home", default=True, visibility="hidden")
    page = st.navigation(pages + [home])
    if page is home:  # `/`: on to the first page at once; its run draws the sidebar (a cold start waits less)
        page.run()  # st.switch_page: this run ends here
        return
    ui.collect_session_models()  # before the sidebar: a finished run's or an uploaded zip's model becomes the one in use
    ui.follow_link()  # before the sidebar: a link names the model
    ui.sidebar()
    ui.glossary.show_glossary()  # every page: the words the pages use, one plain sentence each
    try:
        # page_work: a training child waits between steps while a page runs and its browser draws (seqcore.foreground)
        with ui.page_work(), ui.user_errors("This page stopped"):  # a last net: the pages catch seqcore's errors themselves
            page.run()
    finally:  # also after st.stop(): the URL keeps the view
        ui.sidebar_device()
        ui.write_link()
        ui.freeze_long_lived()  # after a run that imported something: no later rerun walks those objects again
        first_run_over()  # the server's warm-up imports spaCy once the first page is drawn


if __name__ == "__main__":
    main()
